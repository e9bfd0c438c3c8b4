require "reject";
reject "Rejected by an included script";
