# RFC 6609 §3.2 example: included from inside an if
require ["reject"];
reject "No money schemes, please.";
