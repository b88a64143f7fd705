from django.db import models


class DemoTaskRun(models.Model):
    """One request to run the demo task, and what became of it.

    `attempts` counts how often a worker started the task (more than once after a redelivery);
    `completions` counts its effect, which must stay at most 1 however often it was delivered.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"

    seconds = models.FloatField(default=0, help_text="How long the task works before it is done.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Demo task run {self.pk} ({self.status})"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "status": self.status,
            "seconds": self.seconds,
            "attempts": self.attempts,
            "completions": self.completions,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }
