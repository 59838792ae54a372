-- JobKind is TEXT on SQLite: the new FEATURES value needs no change (kept so both providers list the same migrations).
SELECT 1;
