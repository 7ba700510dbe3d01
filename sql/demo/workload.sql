-- The demo's workload, run as the app role: three transactions, tagged with a request id.
set pgaudit.request_id = 'checkout-42';
begin;
insert into customers (email, full_name, card_number, password, status) values
    ('alice@example.com', 'Alice Liddell', '4111 1111 1111 1234', 'rabbit-hole', 'new'),
    ('bob@example.com', 'Bob Builder', '5500 0000 0000 0004', 'can-we-fix-it', 'new'),
    ('carol@example.com', 'Carol Danvers', null, 'higher-further', 'new');
insert into orders (customer_id, placed_on, amount) values
    (1, date '2026-01-15', 42.50),
    (2, date '2026-02-03', 99.99);
commit;
begin;
update customers set status = 'active', password = 'new-rabbit' where id = 1;
commit;
begin;
delete from customers where id = 3;
commit;
