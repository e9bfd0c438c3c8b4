# RFC 5183 §4: the key list is required
require "environment";
if environment "location" { discard; }
