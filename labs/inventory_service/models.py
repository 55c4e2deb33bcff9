from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)


class Reservation(Base):
    __tablename__ = "reservations"
    order_id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # reserved | released
    lines: Mapped[list["ReservationLine"]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class ReservationLine(Base):
    __tablename__ = "reservation_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("reservations.order_id"))
    sku: Mapped[str] = mapped_column(ForeignKey("items.sku"))
    quantity: Mapped[int] = mapped_column(Integer)
