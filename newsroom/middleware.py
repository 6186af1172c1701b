"""Site-wide middleware."""

from django.http import HttpResponse, HttpResponseNotAllowed

# Every view of the site answers at most these; a view may narrow them further.
ALLOWED_METHODS = ("GET", "HEAD", "POST")


class HttpMethodsMiddleware:
    """OPTIONS gets the allowed methods and no page; TRACE, PUT, DELETE and the rest get 405.

    Function views without a method decorator would otherwise render their whole page for
    any method, and TRACE must never echo anything back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ", ".join((*ALLOWED_METHODS, "OPTIONS"))
            return response
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed([*ALLOWED_METHODS, "OPTIONS"])
        return self.get_response(request)
