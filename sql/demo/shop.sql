-- The demo's shop: customers with personal data, and orders partitioned by month. The app role
-- owns both tables, as applications usually own their schema: pgaudit-kit must hold even so.
create table public.customers (
    id bigint generated always as identity primary key,
    email text not null,
    full_name text not null,
    card_number text,
    password text not null,
    status text not null default 'new',
    created_at timestamptz not null default now()
);
create table public.orders (
    id bigint generated always as identity,
    customer_id bigint not null,
    placed_on date not null,
    amount numeric(10, 2) not null,
    primary key (id, placed_on)
) partition by range (placed_on);
create table public.orders_2026_01 partition of public.orders
    for values from ('2026-01-01') to ('2026-02-01');
create table public.orders_2026_02 partition of public.orders
    for values from ('2026-02-01') to ('2026-03-01');
alter table public.customers owner to {app};
alter table public.orders owner to {app};
alter table public.orders_2026_01 owner to {app};
alter table public.orders_2026_02 owner to {app};
