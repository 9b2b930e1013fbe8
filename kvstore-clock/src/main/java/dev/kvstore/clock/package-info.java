package dev.kvstore.clock;
