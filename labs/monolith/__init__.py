"""The shop as a monolith: one process, one database holding users, orders, inventory
and payments. Simple to start with; notebook 01 shows where it hurts."""
