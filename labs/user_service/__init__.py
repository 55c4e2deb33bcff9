"""user-service: who the customers are. Owns the users database alone."""
