"""Attachment downloads (what `Attachment.read()` fetches): bytes as uploaded."""

from __future__ import annotations

from aiohttp import web

from emulator.errors import unknown
from emulator.server import ApiRequest, RouteTable

routes = RouteTable(auth=False)


@routes("GET", "/attachments/{channel_id}/{attachment_id}/{filename}")
async def download(req: ApiRequest) -> web.Response:
    attachment = req.world.attachments.get(req.id("attachment_id"))
    if attachment is None or attachment.filename != req.match["filename"]:
        raise unknown("message")
    return web.Response(
        body=attachment.data, content_type=attachment.content_type or "application/octet-stream"
    )
