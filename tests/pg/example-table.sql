CREATE TABLE mytable (id int PRIMARY KEY, name text, price numeric, ok bool);
INSERT INTO mytable VALUES
  (1, 'loom', 9.50, true),
  (2, 'it''s a \ backslash', 0.25, false),
  (3, NULL, NULL, NULL);
