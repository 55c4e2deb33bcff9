"""user-service: POST /users, GET /users/{id}."""
from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from labs.common.app import create_app
from labs.common.db import Database
from labs.user_service import accounts
from labs.user_service.models import Base, User
from labs.user_service.schemas import UserIn, UserOut

db = Database(Base, "users.db")
router = APIRouter(tags=["users"])


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: UserIn, session: Session = Depends(db.session)):
    return accounts.register(session, User, body)


@router.get("/users", response_model=list[UserOut])
def list_users(session: Session = Depends(db.session)):
    return session.scalars(select(User).order_by(User.id)).all()


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: int, session: Session = Depends(db.session)):
    return accounts.find(session, User, user_id)


app = create_app("user-service", db, [router])
