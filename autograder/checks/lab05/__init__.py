"""The grader's checks of 05-database-per-service, in parts (loaded by
../05-database-per-service.py as a package, from this folder)."""
