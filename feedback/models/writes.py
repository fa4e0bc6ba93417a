"""New rows written without the unit of work, where it costs most: a citizen's message and the
ticket it opens are the webhook's whole write, and the ORM's flush of them (a dependency sort,
attribute histories, cascades, a statement a table) cost more Python than everything else the
webhook does."""

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached, scoped_session

from feedback.models import Message, Ticket, TicketEvent

TICKETS, EVENTS, MESSAGES = Ticket.__table__, TicketEvent.__table__, Message.__table__


def insert_opened_ticket(
    session: Session | scoped_session[Any], ticket: Ticket, message: Message
) -> None:
    """Insert a new `ticket`, its events and the `message` that opened it, built as ORM objects
    (the models' validators ran as they were set): one statement on PostgreSQL, three on
    SQLite. Then they join `session` as rows it had loaded, so what is done to them afterwards
    is an UPDATE and nothing is written twice."""
    events = list(ticket.events)
    if not events:
        raise ValueError("a new ticket has its 'created' event")
    connection = session.connection()
    ticket_values, message_values = _values(ticket), _values(message)
    event_rows = _same_columns([_values(event) for event in events])
    if connection.dialect.name == "postgresql":
        ticket_id, message_id, event_ids = _insert_together(
            connection, ticket_values, event_rows, message_values
        )
    else:
        ticket_id = connection.scalar(sa.insert(TICKETS).returning(TICKETS.c.id), ticket_values)
        rows = [{**row, "ticket_id": ticket_id} for row in event_rows]
        returning = sa.insert(EVENTS).returning(EVENTS.c.id, sort_by_parameter_order=True)
        event_ids = list(connection.scalars(returning, rows))
        message_values["ticket_id"] = ticket_id
        message_id = connection.scalar(sa.insert(MESSAGES).returning(MESSAGES.c.id), message_values)
    ticket.id, message.id, message.ticket_id = ticket_id, message_id, ticket_id
    for event, event_id in zip(events, event_ids, strict=True):
        event.id, event.ticket_id = event_id, ticket_id
    new_rows = (ticket, *events, message)
    for row in new_rows:
        make_transient_to_detached(row)
    for row in new_rows:  # after all are detached: adding one cascades to the others
        session.add(row)


def _insert_together(connection, ticket_values: dict, event_rows: list[dict], message_values):
    """The three INSERTs as one statement of data-modifying CTEs naming the new ticket's id:
    (ticket id, message id, event ids in the order given)."""
    statement = _together_statement(
        tuple(ticket_values), tuple(event_rows[0]), len(event_rows), tuple(message_values)
    )
    parameters = {f"t_{name}": value for name, value in ticket_values.items()}
    parameters |= {f"m_{name}": value for name, value in message_values.items()}
    for order, row in enumerate(event_rows):
        parameters |= {f"e{order}_{name}": value for name, value in row.items()}
    found = connection.execute(statement, parameters).all()
    return found[0][0], found[0][1], [row[2] for row in found]


@functools.cache
def _together_statement(ticket_columns, event_columns, events: int, message_columns) -> sa.Select:
    """Built once for each shape, with bound parameters: built per message, the statement
    cost more Python than the ORM's flush it replaces."""
    new_ticket = (
        sa.insert(TICKETS)
        .values({c: _parameter(TICKETS, c, "t_") for c in ticket_columns})
        .returning(TICKETS.c.id)
        .cte("t")
    )
    rows = [
        sa.select(
            sa.literal(order).label("n"),
            *(_parameter(EVENTS, c, f"e{order}_").label(c) for c in event_columns),
        )
        for order in range(events)
    ]
    given = (sa.union_all(*rows) if events > 1 else rows[0]).subquery("v")
    new_events = (
        sa.insert(EVENTS)
        .from_select(
            ["ticket_id", *event_columns],
            sa.select(new_ticket.c.id, *(given.c[c] for c in event_columns))
            .select_from(new_ticket.join(given, sa.true()))  # one ticket, each event
            .order_by(given.c.n),
        )
        .returning(EVENTS.c.id)
        .cte("e")
    )
    new_message = (
        sa.insert(MESSAGES)
        .from_select(
            ["ticket_id", *message_columns],
            sa.select(
                new_ticket.c.id,
                *(_parameter(MESSAGES, c, "m_").label(c) for c in message_columns),
            ),
        )
        .returning(MESSAGES.c.id)
        .cte("m")
    )
    return (
        sa.select(new_ticket.c.id, new_message.c.id, new_events.c.id)
        .select_from(new_ticket.join(new_message, sa.true()).join(new_events, sa.true()))
        .order_by(new_events.c.id)
    )


def _parameter(table: sa.Table, column: str, prefix: str) -> sa.BindParameter:
    return sa.bindparam(prefix + column, type_=table.c[column].type)


def _values(row) -> dict:
    """The columns set on a new ORM object, after setting those left unset that have a default
    in Python (a statement of CTEs applies none: its outer statement is a SELECT)."""
    state = sa.inspect(row)
    values = {}
    for attribute in state.mapper.column_attrs:
        column = attribute.columns[0]
        if attribute.key not in state.dict and column.default is not None:
            default = column.default
            setattr(row, attribute.key, default.arg(None) if default.is_callable else default.arg)
        if attribute.key in state.dict:
            values[column.name] = state.dict[attribute.key]
    return values


def _same_columns(rows: list[dict]) -> list[dict]:
    """Rows inserted together name the same columns (None where one left a column unset)."""
    columns = [c.name for c in EVENTS.c if any(c.name in row for row in rows)]
    return [{column: row.get(column) for column in columns} for row in rows]
