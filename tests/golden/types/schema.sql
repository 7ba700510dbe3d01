-- Created types (the application owns them, so capture must render them by their output
-- functions), generated columns, comment tags that tighten and that would loosen.
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'happy');
CREATE TYPE app.pair AS (a app.mood, b integer);
CREATE DOMAIN app.gloomy AS app.mood CHECK (VALUE <> 'happy');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE TABLE app.visits (
    id bigint PRIMARY KEY,
    mood app.mood,
    moods app.mood[],
    pair app.pair,
    gloom app.gloomy,
    score app.positive,
    at timestamptz NOT NULL,
    note text,
    secret text,
    twice bigint GENERATED ALWAYS AS (id * 2) STORED
);
COMMENT ON COLUMN app.visits.secret IS 'never kept. pgaudit:omit';
COMMENT ON COLUMN app.visits.note IS 'free text. pgaudit:plain';
