require "include";
include "work";
include "work";
