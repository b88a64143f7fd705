-- Extensions for search and case-insensitive matching (django.contrib.postgres' lookups), in
-- template1 so that every database created later has them too: the test databases that
-- Django's test runner creates included. The project's database was created before this
-- script ran, from the template as it was, so it gets them explicitly.
\connect template1
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS citext;

\getenv project_db POSTGRES_DB
\connect :"project_db"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS citext;
