"""Database connection checks."""

import select

import psycopg
from psycopg_pool import ConnectionPool


def check_pooled_connection(conn: psycopg.Connection) -> None:
    """The pool's check before lending a connection, without a round trip when it can.

    An idle connection has nothing to read unless the server said something: closed it
    (a restart, an idle timeout) or sent a notice. Only then is it asked for real
    (`ConnectionPool.check_connection`), which raises when it is gone, so the pool
    drops it and lends another: a PostgreSQL restart still costs no request.
    """
    if conn.closed:
        raise psycopg.OperationalError("the connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        ConnectionPool.check_connection(conn)
