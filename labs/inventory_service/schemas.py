"""inventory-service's contract types: what it accepts and answers, and what it reads of
order-service in the event flow. Its own, imported from no other service."""
from pydantic import BaseModel, Field


class LineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=10_000)


class ItemOut(BaseModel):
    sku: str
    name: str
    price: float
    stock: int


class ReservationIn(BaseModel):
    order_id: int = Field(gt=0)
    items: list[LineIn] = Field(min_length=1)


class ReservationOut(BaseModel):
    order_id: int
    status: str
    items: list[LineIn]


class OrderToReserve(BaseModel):
    # what inventory reads of order-service's GET /orders/{id} when order.created arrives
    user_id: int
    total: float
    items: list[LineIn]
