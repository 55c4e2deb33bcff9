"""The shop as a monolith: one process, one database holding users, orders, inventory
and payments, all in this one package. Simple to start with; notebook 01 shows where it
hurts, notebook 02 cuts the services out of it (they share none of its code)."""
