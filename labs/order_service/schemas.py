from datetime import datetime, timezone

from pydantic import BaseModel, Field, field_validator

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

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # SQLite hands back naive datetimes; every time the API shows is UTC
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
