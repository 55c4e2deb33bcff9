"""inventory-service: the catalogue and its stock. Owns the inventory database alone."""
