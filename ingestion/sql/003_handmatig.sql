-- Handmatige indicatorbestanden (ingestion/sources/handmatig.py): catalogue values typed in by programme staff,
-- one value per row. Rows were checked against the indicator catalogue at the door (code, unit, period window);
-- rows that failed are in audit.quarantine, not here.
create table raw.handmatig_waarde (
    batch_id        bigint  not null references audit.load_batch (batch_id),
    row_number      integer not null,          -- spreadsheet row (header = 1)
    indicator_code  text    not null,          -- a catalogue indicator_code
    gemeentecode    text    not null,          -- GM0141 (0141 / 141 as delivered become GM0141) or NL01
    periode         text    not null,          -- as delivered: 2021, 2021Q2, 2021-06, 31-12-2021
    period_code     text    not null,          -- CBS style: 2021JJ00, 2021KW02, 2021MM06 (a date: its month)
    peildatum       date,                      -- when periode was a date
    waarde          numeric,                   -- a number in the indicator's unit; null: a label, or not measured
    waarde_label    text,                      -- a category indicator's label (a class, a milestone)
    eenheid         text    not null,          -- the catalogue unit the value was checked against
    bron            text    not null,          -- where the figure comes from, as the file says
    toelichting     text,                      -- why a value is empty, or any remark
    extra           jsonb   not null default '{}',
    primary key (batch_id, row_number),
    check (waarde is null or waarde_label is null)
);
