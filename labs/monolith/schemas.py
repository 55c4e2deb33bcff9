"""The monolith's API types, for every area of the shop in one module.

The services cut out of the monolith serve the same public API with types of their own;
tests/unit/test_contracts.py checks that the two still describe the same JSON.
"""
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=EMAIL, max_length=320, description="must look like name@host.tld")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str


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
    created_at: datetime  # always UTC: app.order_out sees to it


class ItemOut(BaseModel):
    sku: str
    name: str
    price: float
    stock: int


class PaymentOut(BaseModel):
    id: int
    order_id: int
    amount: float
    status: str
    reason: str
