"""The local backend: every component a process on 127.0.0.1, no Docker needed."""
