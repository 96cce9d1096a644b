"""The repository stays consistent with the code: docs, docker compose, .env.example, dbt configuration."""
