"""Django's local-memory and Redis cache backends, without the check of every key against
memcached's rules.

Django checks each key's length and characters on every lookup so that code written against
another backend would also work on memcached, and only warns. Neither of these backends has
memcached's limits, and the check was a sixth of a page cache hit (a hit looks up the page and
the generation of each of its keys). Overriding `validate_key` is how Django's documentation
says to change that check ("Cache key warnings").
"""

from django.core.cache.backends import locmem, redis


class LocMemCache(locmem.LocMemCache):
    def validate_key(self, key):
        pass


class RedisCache(redis.RedisCache):
    def validate_key(self, key):
        pass
