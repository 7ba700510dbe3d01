-- A DVD-rental schema in the style of the public sample databases people onboard first: serial
-- keys (pg_dump writes their sequences and ALTER TABLE <sequence> OWNER TO), lookup tables, a
-- partitioned table, domains, an enum, arrays, full-text search, its own triggers, views and a
-- materialized view with an index. Written for this project's tests; tests/classification_truth.toml
-- labels its columns.

CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');
CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);

CREATE FUNCTION last_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.last_update = CURRENT_TIMESTAMP;
    RETURN NEW;
END $$;

CREATE TABLE country (
    country_id serial PRIMARY KEY,
    country text NOT NULL,
    last_update timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE city (
    city_id serial PRIMARY KEY,
    city text NOT NULL,
    country_id integer NOT NULL REFERENCES country (country_id) ON UPDATE CASCADE ON DELETE RESTRICT,
    last_update timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE address (
    address_id serial PRIMARY KEY,
    address text NOT NULL,
    address2 text,
    district text NOT NULL,
    city_id integer NOT NULL REFERENCES city (city_id),
    postal_code text,
    phone text NOT NULL,
    last_update timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE language (
    language_id serial PRIMARY KEY,
    name character(20) NOT NULL,
    last_update timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE actor (
    actor_id serial PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    last_update timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE film (
    film_id serial PRIMARY KEY,
    title text NOT NULL,
    description text,
    release_year year,
    language_id integer NOT NULL REFERENCES language (language_id),
    rental_duration smallint NOT NULL DEFAULT 3,
    rental_rate numeric(4,2) NOT NULL DEFAULT 4.99,
    length smallint,
    replacement_cost numeric(5,2) NOT NULL DEFAULT 19.99,
    rating mpaa_rating DEFAULT 'G',
    special_features text[],
    fulltext tsvector NOT NULL,
    last_update timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX film_fulltext_idx ON film USING gist (fulltext);

CREATE TABLE film_actor (
    actor_id integer NOT NULL REFERENCES actor (actor_id),
    film_id integer NOT NULL REFERENCES film (film_id),
    last_update timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor_id, film_id)
);

CREATE TABLE store (
    store_id serial PRIMARY KEY,
    manager_staff_id integer NOT NULL,
    address_id integer NOT NULL REFERENCES address (address_id),
    last_update timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
    staff_id serial PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    address_id integer NOT NULL REFERENCES address (address_id),
    email text,
    store_id integer NOT NULL REFERENCES store (store_id),
    active boolean NOT NULL DEFAULT true,
    username text NOT NULL UNIQUE,
    password text,
    picture bytea,
    last_update timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE store ADD CONSTRAINT store_manager_staff_id_fkey
    FOREIGN KEY (manager_staff_id) REFERENCES staff (staff_id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE customer (
    customer_id serial PRIMARY KEY,
    store_id integer NOT NULL REFERENCES store (store_id),
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text,
    address_id integer NOT NULL REFERENCES address (address_id),
    activebool boolean NOT NULL DEFAULT true,
    create_date date NOT NULL DEFAULT CURRENT_DATE,
    notes text,
    last_update timestamptz DEFAULT now(),
    active integer
);
CREATE INDEX idx_last_name ON customer (last_name);

CREATE TABLE inventory (
    inventory_id serial PRIMARY KEY,
    film_id integer NOT NULL REFERENCES film (film_id),
    store_id integer NOT NULL REFERENCES store (store_id),
    last_update timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rental (
    rental_id serial PRIMARY KEY,
    rental_date timestamptz NOT NULL,
    inventory_id integer NOT NULL REFERENCES inventory (inventory_id),
    customer_id integer NOT NULL REFERENCES customer (customer_id),
    return_date timestamptz,
    staff_id integer NOT NULL REFERENCES staff (staff_id),
    last_update timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_unq_rental ON rental (rental_date, inventory_id, customer_id);

-- Payments, partitioned by month, as the sample databases do it.
CREATE TABLE payment (
    payment_id serial,
    customer_id integer NOT NULL REFERENCES customer (customer_id),
    staff_id integer NOT NULL REFERENCES staff (staff_id),
    rental_id integer NOT NULL REFERENCES rental (rental_id),
    amount numeric(5,2) NOT NULL,
    payment_date timestamptz NOT NULL,
    PRIMARY KEY (payment_date, payment_id)
) PARTITION BY RANGE (payment_date);
CREATE TABLE payment_p2026_01 PARTITION OF payment
    FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');
CREATE TABLE payment_p2026_02 PARTITION OF payment
    FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');

CREATE TRIGGER last_updated BEFORE UPDATE ON customer
    FOR EACH ROW EXECUTE FUNCTION last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE ON film
    FOR EACH ROW EXECUTE FUNCTION last_updated();

CREATE VIEW customer_list AS
    SELECT cu.customer_id AS id, cu.first_name || ' ' || cu.last_name AS name, a.address,
           a.postal_code AS "zip code", a.phone, city.city, country.country
    FROM customer cu
    JOIN address a ON cu.address_id = a.address_id
    JOIN city ON a.city_id = city.city_id
    JOIN country ON city.country_id = country.country_id;

CREATE MATERIALIZED VIEW rental_by_film AS
    SELECT f.title AS film, count(*) AS rentals
    FROM rental r JOIN inventory i USING (inventory_id) JOIN film f USING (film_id)
    GROUP BY f.title
    WITH NO DATA;
CREATE UNIQUE INDEX rental_by_film_film ON rental_by_film (film);

COMMENT ON TABLE customer IS 'People who rent films';
COMMENT ON COLUMN customer.activebool IS 'Whether the customer may rent';
