"""Erasing people and workshops: the one place every deletion of personal data goes through.

Rows are found through the schema's foreign keys, so a table added later that references a
participant (or a workshop, or a row that does) is erased with it without changing this module:
non-null references are deleted, nullable ones (an account's active workshop) set to NULL.
Data kept outside the database (files such as voice answers) or linked without a foreign key
(stored translations keyed by text) registers a hook with :func:`on_erase`; hooks run in the same
transaction, before the rows go, with the ids of the participants being erased.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Select, Table, delete, func, select, update
from sqlmodel import Session, SQLModel, col

from storage.models import Account, InboxUpdate, Job, Participant, Workshop

EraseHook = Callable[[Session, Sequence[int]], None]
_HOOKS: list[EraseHook] = []


def on_erase(hook: EraseHook) -> EraseHook:
    """Register ``hook(session, participant_ids)``; usable as a decorator. Runs before the rows are deleted."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


@on_erase
def _reminder_jobs(session: Session, participant_ids: Sequence[int]) -> None:
    """A reminder job names its participant by id without a foreign key (storage/jobs.py): it goes too."""
    session.execute(delete(Job).where(col(Job.kind) == "reminder", col(Job.target_id).in_(participant_ids)))


@on_erase
def _handled_updates(session: Session, participant_ids: Sequence[int]) -> None:
    """The inbox keeps handled updates a while (update id, chat id, times; never the text) to recognise late
    duplicates: those of the person's chat go now. Updates still being handled stay until they are done."""
    chats = select(Participant.chat_id).where(col(Participant.id).in_(participant_ids), col(Participant.chat_id).is_not(None))
    session.execute(
        delete(InboxUpdate).where(col(InboxUpdate.chat_id).in_(chats), col(InboxUpdate.done_at).is_not(None))
    )


def _delete_rows(session: Session, table: Table, chosen: Select) -> None:
    """Delete the rows of ``table`` whose primary key is in ``chosen``, and everything that references them."""
    (pk,) = table.primary_key.columns  # every table here has a one-column key
    for child in SQLModel.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column is not pk:
                continue
            column = fk.parent
            if column.nullable and not column.primary_key:
                session.execute(update(child).where(column.in_(chosen)).values({column.name: None}))
            else:
                (child_pk,) = child.primary_key.columns
                _delete_rows(session, child, select(child_pk).where(column.in_(chosen)))
    session.execute(delete(table).where(pk.in_(chosen)))


def erase_participants(session: Session, participant_ids: Sequence[int], *, count_as_left: bool = True) -> int:
    """Erase these participants and everything about them; returns how many there were.

    ``count_as_left``: their workshops' next summary says (as a number only) that someone left."""
    ids = [i for i in participant_ids if i is not None]
    if not ids:
        return 0
    if count_as_left:
        per_workshop = session.execute(
            select(Participant.workshop_id, func.count()).where(col(Participant.id).in_(ids)).group_by(Participant.workshop_id)
        ).all()
        for workshop_id, n in per_workshop:
            session.execute(
                update(Workshop).where(col(Workshop.id) == workshop_id).values(left_count=col(Workshop.left_count) + n)
            )
    for hook in _HOOKS:
        hook(session, ids)
    table = Participant.__table__  # type: ignore[attr-defined]
    _delete_rows(session, table, select(table.c.id).where(table.c.id.in_(ids)))
    session.flush()
    return len(ids)


def erase_person(session: Session, user_key: str) -> int:
    """Everything stored about one person as a participant, in every workshop, and their account.

    Facilitator memberships stay: they are the workshop's, not the person's answers."""
    ids = list(session.execute(select(Participant.id).where(Participant.user_key == user_key)).scalars())
    erased = erase_participants(session, [i for i in ids if i is not None])
    session.execute(delete(Account).where(col(Account.user_key) == user_key))
    session.flush()
    return erased


def drop_bare_account(session: Session, user_key: str) -> None:
    """After a declined consent: no account is kept for someone who takes part nowhere."""
    takes_part = session.execute(select(Participant.id).where(Participant.user_key == user_key)).first()
    if takes_part is None:
        session.execute(delete(Account).where(col(Account.user_key) == user_key))


def erase_workshop_people(session: Session, workshop_id: int) -> int:
    """The retention rule: a workshop's participants and answers go; the workshop and its facilitators stay."""
    people = session.execute(select(Participant.id, Participant.user_key).where(Participant.workshop_id == workshop_id)).all()
    erased = erase_participants(session, [pid for pid, _key in people if pid is not None], count_as_left=False)
    for _pid, user_key in people:
        drop_bare_account(session, user_key)
    return erased


def delete_workshop(session: Session, workshop_id: int) -> None:
    """A workshop and everything in it: participants, answers, facilitators, invites."""
    erase_workshop_people(session, workshop_id)
    table = Workshop.__table__  # type: ignore[attr-defined]
    _delete_rows(session, table, select(table.c.id).where(table.c.id == workshop_id))
    session.flush()
