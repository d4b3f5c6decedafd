"""HTTP routes of the worker: enqueue an example message (demo, smoke tests).

The worker's real input is the queue; this endpoint validates a message with
the same model the consumer uses (422 on bad input) and publishes it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from events_worker.consumer import Consumer
from events_worker.messages import OrderPlaced

router = APIRouter(prefix="/messages", tags=["messages"])


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def enqueue(message: OrderPlaced, request: Request) -> dict[str, str]:
    """Publish one OrderPlaced message on the work queue."""
    consumer: Consumer = request.app.state.consumer
    await consumer.publish(message.model_dump_json().encode())
    return {"queued": message.order_id, "queue": consumer.queue}
