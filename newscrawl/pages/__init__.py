"""Page objects: each takes a response and returns what the page says, nothing more.

They never touch the crawler, the network or the clock; spiders hand them a response
and yield what they return, pipelines clean it afterwards.
"""
