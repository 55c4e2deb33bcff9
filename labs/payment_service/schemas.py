from pydantic import BaseModel, Field


class PaymentIn(BaseModel):
    order_id: int = Field(gt=0)
    amount: float = Field(gt=0, le=1_000_000)
    card: str | None = Field(None, max_length=32)


class PaymentOut(BaseModel):
    id: int
    order_id: int
    amount: float
    status: str
    reason: str
