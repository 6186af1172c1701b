import pytest


@pytest.fixture
def signup_data(terms):
    def data(email="reader@example.com", page="/newsletter/") -> dict:
        return {"email": email, "agree": "on", "website": "", "next": page}

    return data
