"""Personal data at the door: the BSN check (``bsn``), pseudonyms and reductions (``pseudonym``), and the screen
that keeps a BSN in clear out of every stored, logged or printed value (``screen``). Depends on nothing else of the
package. Rules: docs/privacy.md."""
