"""How many rows of a trigger table run a function: what keeps the function service from
deleting the function or one of its versions."""
import sqlalchemy as sa


def count(db, model, function_id, version, *conditions):
    """Rows of ``model`` naming ``function_id`` by id (at ``version`` unless it is
    ``None``) that also meet ``conditions``; rows naming an alias do not count (their
    function_id is null)."""
    query = sa.select(sa.func.count()).select_from(model).where(
        model.function_id == function_id, *conditions)
    if version is not None:
        query = query.where(model.function_version == version)
    return db.scalar(query)
