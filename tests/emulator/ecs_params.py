# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS RPC request parameters: required ones, integers, ``Name.N`` lists and paging, with ECS's refusals."""

from __future__ import annotations

import base64
import binascii
import re

from wire import ApiError

INDEXED = re.compile(r'(.+)\.(\d+)')


def missing(name):
    return ApiError(400, 'MissingParameter', 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid(name, why):
    return ApiError(400, 'InvalidParameter', 'The specified parameter "%s" is not valid: %s' % (name, why))


def required(params, name):
    value = params.get(name)
    if not value:
        raise missing(name)
    return value


def integer(params, name, default=None, low=None):
    value = params.get(name)
    if value in (None, ''):
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid(name, 'not an integer') from None
    if low is not None and number < low:
        raise invalid(name, 'less than %d' % low)
    return number


def indexed(params, name, limit=100):
    """The values of ``Name.1`` .. ``Name.N`` in index order; N is at most ``limit``."""
    found = []
    for key, value in params.items():
        match = INDEXED.fullmatch(key)
        if match and match.group(1) == name:
            number = int(match.group(2))
            if not 1 <= number <= limit:
                raise invalid(key, 'N must be between 1 and %d' % limit)
            found.append((number, value))
    return [value for _number, value in sorted(found)]


def encode_token(offset):
    return base64.urlsafe_b64encode(('emu-page:%d' % offset).encode()).decode().rstrip('=')


def decode_token(token):
    try:
        text = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4)).decode()
        prefix, offset = text.split(':')
        if prefix == 'emu-page' and int(offset) >= 0:
            return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise invalid('NextToken', 'not a token this API returned')


def page(params, items, max_results=(10, 10, 500), page_size=(10, 100)):
    """One page of ``items`` and the paging fields of the response.

    ``MaxResults``/``NextToken`` (clamped to ``max_results`` = default, low, high) unless only the deprecated
    ``PageNumber``/``PageSize`` are given.
    """
    if ('PageNumber' in params or 'PageSize' in params) and not ('MaxResults' in params or 'NextToken' in params):
        number = integer(params, 'PageNumber', 1, low=1)
        size = integer(params, 'PageSize', page_size[0], low=1)
        if size > page_size[1]:
            raise invalid('PageSize', 'at most %d' % page_size[1])
        start = (number - 1) * size
        return items[start:start + size], {'TotalCount': len(items), 'PageNumber': number, 'PageSize': size}
    default, low, high = max_results
    size = min(max(integer(params, 'MaxResults', default), low), high)
    start = decode_token(params['NextToken']) if params.get('NextToken') else 0
    more = start + size < len(items)
    return items[start:start + size], {'TotalCount': len(items), 'NextToken': encode_token(start + size) if more else ''}
