-- A shop's schema file, written the way a team keeps one: the first version, then migrations
-- appended below it. tests/db/test_ddl_matches_catalog.py runs it on PostgreSQL and checks that
-- ddl.read_ddl reads it exactly as catalog.read_tables reads the result.
-- shop_app is replaced with the test's application role.

CREATE EXTENSION IF NOT EXISTS plpgsql;

CREATE SCHEMA shop;
CREATE SCHEMA "Sales Co";

CREATE TYPE shop.order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
CREATE DOMAIN shop.email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');
CREATE DOMAIN shop.amount AS numeric(12,2) CHECK (VALUE >= 0);

-- Customers: personal data, classified in the comments.
CREATE TABLE shop.customers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         shop.email NOT NULL UNIQUE,
    full_name     text NOT NULL,
    phone         varchar(20),
    card_number   char(19),
    password_hash bytea,
    birth_date    date,
    tags          text[] NOT NULL DEFAULT '{}',
    preferences   jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    name_search   tsvector GENERATED ALWAYS AS (to_tsvector('simple', full_name)) STORED
);
COMMENT ON TABLE shop.customers IS 'People who buy things. pgaudit:hash (a table comment sets no policy)';
COMMENT ON COLUMN shop.customers.email IS 'Login and receipts. pgaudit:hash';
COMMENT ON COLUMN shop.customers.card_number IS 'Card on file. pgaudit:mask:card';
COMMENT ON COLUMN shop.customers.password_hash IS 'Never in the trail. pgaudit:omit';
COMMENT ON COLUMN shop.customers.phone IS 'pgaudit:mask:last4';
COMMENT ON COLUMN shop.customers.full_name IS E'Legal name;\nshown on invoices. pgaudit:hash';
ALTER TABLE shop.customers OWNER TO shop_app;

-- Orders: partitioned by time, one level of yearly partitions, halves below 2025.
CREATE TABLE shop.orders (
    id          bigserial,
    customer_id bigint NOT NULL REFERENCES shop.customers (id),
    placed_at   timestamptz NOT NULL,
    status      shop.order_status NOT NULL DEFAULT 'new',
    history     shop.order_status[] NOT NULL DEFAULT '{}',
    total       shop.amount NOT NULL,
    items       integer NOT NULL DEFAULT 0,
    ship_to     jsonb,
    PRIMARY KEY (id, placed_at)
) PARTITION BY RANGE (placed_at);
COMMENT ON COLUMN shop.orders.ship_to IS 'Delivery address. pgaudit:hash';
ALTER TABLE shop.orders OWNER TO shop_app;

CREATE TABLE shop.orders_2025 PARTITION OF shop.orders
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
    PARTITION BY RANGE (placed_at);
CREATE TABLE shop.orders_2025_h1 PARTITION OF shop.orders_2025
    FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
CREATE TABLE shop.orders_2025_h2 PARTITION OF shop.orders_2025
    FOR VALUES FROM ('2025-07-01') TO ('2026-01-01');
CREATE TABLE shop.orders_default PARTITION OF shop.orders DEFAULT;

-- A partition written on its own and attached, as a migration would do it.
CREATE TABLE shop.orders_2026 (
    id          bigint NOT NULL DEFAULT nextval('shop.orders_id_seq'),
    customer_id bigint NOT NULL,
    placed_at   timestamptz NOT NULL,
    status      shop.order_status NOT NULL DEFAULT 'new',
    history     shop.order_status[] NOT NULL DEFAULT '{}',
    total       shop.amount NOT NULL,
    items       integer NOT NULL DEFAULT 0,
    ship_to     jsonb
);
ALTER TABLE shop.orders ATTACH PARTITION shop.orders_2026
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

ALTER TABLE shop.orders_2025 OWNER TO shop_app;
ALTER TABLE shop.orders_2025_h1 OWNER TO shop_app;
ALTER TABLE shop.orders_2025_h2 OWNER TO shop_app;
ALTER TABLE shop.orders_default OWNER TO shop_app;
ALTER TABLE shop.orders_2026 OWNER TO shop_app;

-- Stock: no primary key, but a unique key over NOT NULL columns identifies a row.
CREATE TABLE shop.inventory (
    sku          varchar(32) NOT NULL,
    warehouse    char(4) NOT NULL,
    quantity     integer NOT NULL CHECK (quantity >= 0),
    bin          text,
    reserved     numeric(12,2)[],
    counted_at   timestamp(3) without time zone NOT NULL DEFAULT now(),
    CONSTRAINT inventory_sku_warehouse_key UNIQUE (sku, warehouse)
);
CREATE UNIQUE INDEX inventory_bin ON shop.inventory (bin) WHERE bin IS NOT NULL;
CREATE INDEX inventory_counted ON shop.inventory (counted_at);
ALTER TABLE shop.inventory OWNER TO shop_app;

CREATE TABLE shop.sessions (
    id          uuid PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES shop.customers (id) ON DELETE CASCADE,
    client_ip   inet,
    lifetime    interval NOT NULL DEFAULT '1 day',
    data        json,
    score       double precision,
    flags       bit varying(8)
);
ALTER TABLE shop.sessions OWNER TO shop_app;

CREATE TABLE "Sales Co"."Order Lines" (
    "Order Id"   bigint NOT NULL,
    "Line No"    smallint NOT NULL,
    "SKU"        varchar(32) NOT NULL,
    "Unit Price" numeric(12,2) NOT NULL,
    quantity     int NOT NULL,
    "Line Total" numeric(14,2) GENERATED ALWAYS AS ("Unit Price" * quantity) STORED,
    "Gift Note"  text,
    PRIMARY KEY ("Order Id", "Line No")
);
COMMENT ON COLUMN "Sales Co"."Order Lines"."Gift Note" IS 'Free text from the buyer. pgaudit:hash';
ALTER TABLE "Sales Co"."Order Lines" OWNER TO shop_app;

-- Unqualified: lands in public.
CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    changed_by name NOT NULL DEFAULT current_user
);
ALTER TABLE settings OWNER TO shop_app;

CREATE VIEW shop.customer_emails AS SELECT id, email FROM shop.customers;

CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.counted_at := now();  -- a semicolon inside a function body ends nothing
    RETURN NEW;
END
$$;
CREATE TRIGGER inventory_touch BEFORE UPDATE ON shop.inventory
    FOR EACH ROW EXECUTE FUNCTION shop.touch();
GRANT SELECT ON ALL TABLES IN SCHEMA shop TO shop_app;

-- Migration 2: loyalty points, a renamed column, a dropped one.
ALTER TABLE shop.customers ADD COLUMN loyalty_points integer NOT NULL DEFAULT 0;
ALTER TABLE shop.customers RENAME COLUMN phone TO phone_number;
ALTER TABLE shop.customers DROP COLUMN birth_date;

-- Migration 3: orders get a channel; the partitions get it too.
ALTER TABLE shop.orders ADD COLUMN channel varchar(16) NOT NULL DEFAULT 'web';
ALTER TABLE shop.inventory ALTER COLUMN bin TYPE varchar(12);
