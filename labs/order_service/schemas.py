"""order-service's contract types: what it accepts and answers, and what it reads of the
services it calls. Its own, imported from no other service: tests/unit/test_contracts.py
checks that they still fit user-service's and inventory-service's."""
from datetime import datetime, timezone

from pydantic import BaseModel, Field, field_validator


class LineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=10_000)


class OrderIn(BaseModel):
    user_id: int = Field(gt=0)
    items: list[LineIn] = Field(min_length=1, max_length=100)
    card: str | None = Field(None, max_length=32, description="used by the payment step")


class OrderOut(BaseModel):
    id: int
    user_id: int
    items: list[LineIn]
    total: float
    status: str
    created_at: datetime

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # SQLite hands back naive datetimes; every time the API shows is UTC
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class ItemPrice(BaseModel):
    # what order-service reads of inventory-service's GET /inventory/{sku}: only the price
    price: float
