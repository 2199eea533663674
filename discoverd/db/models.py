"""SQLAlchemy models of discoverd's state.

``Introspection.version_id`` is the mapper's version counter: every UPDATE carries
``WHERE version_id = <old>``, so two discoverd processes can never both move one
node out of the same state (the loser gets ``StaleDataError``).
"""

import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime.datetime:
    """Naive UTC now (stored without a zone in every database)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of discoverd's tables."""


class Introspection(Base):
    """The last introspection of one node."""

    __tablename__ = "introspections"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)
    manage_boot: Mapped[bool] = mapped_column(default=True)
    #: discoverd put the node into Ironic's inspect flow; Ironic has not joined yet.
    awaiting_join: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: While ``processing``: the discoverd process that holds the lease, and when it
    #: last renewed it (see ``discoverd.leases``).
    owner: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    attributes: Mapped[list["Attribute"]] = relationship(
        back_populates="introspection", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}


class Attribute(Base):
    """A lookup attribute (``bmc_address`` or ``mac``) of a node under introspection."""

    __tablename__ = "attributes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(
        String(36), ForeignKey("introspections.uuid", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(32), nullable=False)
    value: Mapped[str] = mapped_column(String(255), nullable=False)

    introspection: Mapped[Introspection] = relationship(back_populates="attributes")

    __table_args__ = (Index("ix_attributes_name_value", "name", "value"),)


class IntrospectionData(Base):
    """Raw (from the ramdisk) or processed (after hooks) data of a node."""

    __tablename__ = "introspection_data"

    uuid: Mapped[str] = mapped_column(
        String(36), ForeignKey("introspections.uuid", ondelete="CASCADE"), primary_key=True)
    processed: Mapped[bool] = mapped_column(primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    stored_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)


class Rule(Base):
    """An introspection rule: conditions and actions, applied after the hooks."""

    __tablename__ = "rules"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)
    conditions: Mapped[list] = mapped_column(JSON, nullable=False)
    actions: Mapped[list] = mapped_column(JSON, nullable=False)
