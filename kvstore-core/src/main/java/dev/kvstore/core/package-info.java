package dev.kvstore.core;
