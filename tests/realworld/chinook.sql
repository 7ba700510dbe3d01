-- A workload on Chinook as its application would run it, touching every table: a new artist's
-- album and track, a new employee and customer, a sale, a playlist; then changes and deletes.
-- Run as the application role by tests/cli/test_cli_realworld.py.
insert into artist (artist_id, name) values (1000, 'The Test Band');
insert into album (album_id, title, artist_id) values (1000, 'First Light', 1000);
insert into genre (genre_id, name) values (1000, 'Test Genre');
insert into media_type (media_type_id, name) values (1000, 'Test Media');
insert into track (track_id, name, album_id, media_type_id, genre_id, composer, milliseconds,
                   bytes, unit_price)
values (10000, 'Opening', 1000, 1000, 1000, 'A. Composer', 200000, 4000000, 0.99);
insert into employee (employee_id, last_name, first_name, title, reports_to, birth_date,
                      hire_date, email, phone)
values (1000, 'Quillfeather', 'Zelphine', 'Sales Support Agent', 1, '1980-02-03', '2020-01-06',
        'zelphine.q@example.org', '+1 555 0142');
insert into customer (customer_id, first_name, last_name, email, support_rep_id, phone,
                      address, city, postal_code, country)
values (1000, 'Orsolya', 'Brandvik', 'ann.smith@example.org', 1000, '+1 555 0100', '17 Quillon Lane',
        'Springfield', '12345', 'USA');
insert into invoice (invoice_id, customer_id, invoice_date, billing_address, billing_city,
                     billing_postal_code, billing_country, total)
values (1000, 1000, '2026-11-30 10:00', '17 Quillon Lane', 'Springfield', '12345', 'USA', 0.99);
insert into invoice_line (invoice_line_id, invoice_id, track_id, unit_price, quantity)
values (10000, 1000, 10000, 0.99, 1);
insert into playlist (playlist_id, name) values (1000, 'Test Mix');
insert into playlist_track (playlist_id, track_id) values (1000, 10000), (1, 10000);

update customer set email = 'ann@example.net', phone = '+1 555 0199' where customer_id = 1000;
update employee set title = 'Sales Manager' where employee_id = 1000;
update track set unit_price = 1.29 where track_id = 10000;
update album set title = 'First Light (Remastered)' where album_id = 1000;
update invoice set total = 1.29 where invoice_id = 1000;
delete from playlist_track where playlist_id = 1 and track_id = 10000;
delete from invoice_line where invoice_line_id = 10000;
