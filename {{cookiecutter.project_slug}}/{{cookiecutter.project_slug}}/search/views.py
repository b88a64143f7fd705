from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from elasticsearch import ApiError, TransportError

from . import index


def search_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context: dict[str, object] = {"query": query, "enabled": index.enabled(), "results": []}
    status = 200
    if query and index.enabled():
        try:
            context["results"] = index.search(query)
        except (ApiError, TransportError):
            context["unavailable"] = True
            status = 503
    return render(request, "search/search.html", context, status=status)
