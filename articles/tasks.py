"""Background work for the editorial workflow, on Django's task queue (django-tasks).

Thin entry points: queued jobs store each task's dotted path, so the tasks stay here and call
the modules that do the work.
"""

from django_tasks import task

from . import notifications


@task()
def publish_scheduled_articles() -> int:
    """Mark scheduled articles whose time has come as published; returns how many."""
    # Deferred: workflow queues this task when it schedules an article, so it imports this
    # module; the task in turn runs workflow's bookkeeping. The task must stay registered
    # here (queued jobs store its dotted path), so this one import waits for the call.
    from .workflow import publish_due

    return len(publish_due())


@task()
def send_workflow_notification(event_id: int) -> int:
    """Email the people an editorial event concerns; returns how many messages went."""
    return notifications.send_for_event(event_id)
