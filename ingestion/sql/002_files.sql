-- File sources (UWV, Kennispunt Twente, Werkplein): one batch per delivered file, typed raw rows, quarantine.
-- Personal data never lands: BSN arrives as a keyed pseudonym, birth date as year, postcode as its 4 digits.

-- A file that cannot be loaded at all (unreadable, empty, a required column missing) is 'rejected'.
alter table audit.load_batch drop constraint load_batch_status_check;
alter table audit.load_batch add constraint load_batch_status_check
    check (status in ('loading', 'loaded', 'published', 'failed', 'unchanged', 'rejected'));

alter table audit.load_batch
    add column file_sha256  text,   -- checksum of the delivered bytes: a re-delivery is recognised by it
    add column delivery_key text;   -- what a corrected file replaces, e.g. werkplein uitkeringen 0141 202401
create index load_batch_file_sha256_idx on audit.load_batch (source, file_sha256) where file_sha256 is not null;
comment on column audit.load_batch.delivery_key is
    'Files with the same delivery key are versions of one delivery: staging reads the newest published one.';

-- Every rejected file and every rejected row, with the reason. Personal values are never stored here: the
-- value of a personal column is replaced by its shape (length, digits), and the record holds reduced fields only.
create table audit.quarantine (
    quarantine_id   bigint generated always as identity primary key,
    batch_id        bigint      not null references audit.load_batch (batch_id),
    source          text        not null,
    file_name       text        not null,
    row_number      integer,                 -- spreadsheet row (header = 1); null: the whole file
    column_name     text,
    value           text,                    -- as found, or masked for personal columns
    reason          text        not null,
    record          jsonb,                   -- the row's other fields, typed and reduced as they would have landed
    quarantine_path text,                    -- where a rejected file was moved
    quarantined_at  timestamptz not null default now()
);
create index quarantine_batch_idx on audit.quarantine (batch_id);

-- UWV spanningsindicator (SOURCES.md §2).
create table raw.uwv_spanningsindicator (
    batch_id            bigint  not null references audit.load_batch (batch_id),
    row_number          integer not null,
    arbeidsmarktregio   text    not null,
    beroepsklasse       text    not null,
    periode             text    not null,   -- as delivered: '2022 Q4' or '2022-4'
    period_code         text    not null,   -- CBS style: 2022KW04
    spanningsindicator  numeric,
    typering            text,               -- as delivered; null when the file left it empty
    extra               jsonb   not null default '{}',
    primary key (batch_id, row_number)
);

-- Kennispunt Twente monitor exports (SOURCES.md §3), both layouts in long form: one row per value.
create table raw.kennispunt_waarde (
    batch_id        bigint  not null references audit.load_batch (batch_id),
    row_number      integer not null,
    layout          text    not null check (layout in ('long', 'wide')),
    indicator       text    not null,      -- the export's label (long) or column header (wide)
    gebiedcode      text    not null,      -- GM0141, a gemeente number (wide: 141) or an area name
    gebiednaam      text,
    periode         text    not null,
    waarde          numeric,               -- null: empty or suppressed
    is_suppressed   boolean not null default false,
    suppressed_as   text,                  -- the cell as delivered, e.g. '<10'
    eenheid         text,
    extra           jsonb   not null default '{}',
    primary key (batch_id, row_number, indicator)
);

-- Werkplein Participatiewet exports (SOURCES.md §4). Columns the contract does not know are not stored (they may
-- hold personal data); their names are recorded with the batch.
create table raw.werkplein_uitkering (
    batch_id                 bigint  not null references audit.load_batch (batch_id),
    row_number               integer not null,
    peildatum                date    not null,
    gemeentecode             text    not null,
    registratienummer        text    not null,
    persoon_pseudoniem       text    not null,
    geboortejaar             smallint,
    geslacht                 text,
    postcode4                text,
    wijkcode                 text,
    statistiekcode           text    not null,
    leefvorm                 text,
    aantal_kostendelers      integer,
    ingangsdatum             date    not null,
    einddatum                date,
    reden_beeindiging        text,
    ontheffing_arbeidsplicht boolean,
    tegenprestatie           boolean,
    doelgroep                text,
    uitkeringsbedrag         numeric,
    primary key (batch_id, row_number)
);

create table raw.werkplein_voorziening (
    batch_id                     bigint  not null references audit.load_batch (batch_id),
    row_number                   integer not null,
    peildatum                    date    not null,
    gemeentecode                 text    not null,
    registratienummer_voorziening text   not null,
    persoon_pseudoniem           text    not null,
    type_voorziening             text    not null,
    begindatum                   date    not null,
    einddatum                    date,
    reden_einde                  text,
    participatieladder           smallint,
    loonwaarde                   numeric,
    primary key (batch_id, row_number)
);

create table raw.werkplein_activiteit (
    batch_id            bigint  not null references audit.load_batch (batch_id),
    row_number          integer not null,
    peildatum           date    not null,
    gemeentecode        text    not null,
    persoon_pseudoniem  text    not null,
    soort               text    not null,
    uren_per_week       numeric,
    primary key (batch_id, row_number)
);
