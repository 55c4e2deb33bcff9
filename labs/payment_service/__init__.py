"""payment-service: charging customers. Owns the payments database alone."""
