"""Signing users up: one email, one account."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.errors import Conflict, NotFound
from labs.user_service.schemas import UserIn


def register(session: Session, user_type, body: UserIn):
    if session.scalar(select(user_type).where(user_type.email == body.email)):
        raise Conflict(f"email: a user with email {body.email!r} already exists")
    user = user_type(name=body.name, email=body.email)
    session.add(user)
    session.commit()
    return user


def find(session: Session, user_type, user_id: int):
    user = session.get(user_type, user_id)
    if user is None:
        raise NotFound(f"user_id: user {user_id} not found")
    return user
