-- Every revision that creates or replaces functions ends by recording their fingerprints, the
-- ones integrity() compares the live definitions with.
select {schema}.record_function_digests();
