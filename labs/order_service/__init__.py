"""order-service: placing and tracking orders. Owns the orders database alone; asks
user-service and inventory-service over HTTP for what it does not own."""
