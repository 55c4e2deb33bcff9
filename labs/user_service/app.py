"""user-service: POST /users, GET /users/{id}."""
from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.app import create_app
from labs.common.db import Database
from labs.common.errors import Conflict, NotFound
from labs.user_service.models import Base, User
from labs.user_service.schemas import UserIn, UserOut

db = Database(Base, "users.db")
router = APIRouter(tags=["users"])


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: UserIn, session: Session = Depends(db.session)):
    if session.scalar(select(User).where(User.email == body.email)):
        raise Conflict(f"email: a user with email {body.email!r} already exists")
    user = User(name=body.name, email=body.email)
    session.add(user)
    session.commit()
    return user


@router.get("/users", response_model=list[UserOut])
def list_users(session: Session = Depends(db.session)):
    return session.scalars(select(User).order_by(User.id)).all()


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: int, session: Session = Depends(db.session)):
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user_id: user {user_id} not found")
    return user


app = create_app("user-service", db, [router])
