"""The grader's checks of 04-async-messaging, one module per exercise (loaded by
../04-async-messaging.py)."""
