from datetime import datetime

from pydantic import BaseModel, Field

from labs.inventory_service.schemas import LineIn


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
