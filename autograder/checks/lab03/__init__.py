"""The grader's checks of 03-sync-communication, in parts (loaded by ../03-sync-communication.py
as a package, from this folder: the course's checks are no installed package)."""
